"""Foundation every layer may use: findings (problems in input), Swedish number formats, atomic file output, where the bundled models and default plan live."""
