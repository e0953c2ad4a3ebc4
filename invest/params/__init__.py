"""The dated parameters in models/: a strict loader and typed access (conventions, rates, asset classes), with the --ranta overlay."""
