"""The `invest` command from a source checkout: `python cli.py berakna` runs exactly what the installed `invest`
runs. The commands live in the package (invest/cli.py), so an installed program and a checkout share one source
and no generic top-level module is installed."""

from invest.cli import main

if __name__ == "__main__":
    main()
