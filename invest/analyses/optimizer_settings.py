"""The optimiser's settings (`invest optimera`, analyses/optimizer.py), in a module of their own so that the command
line can show them as defaults without loading the optimiser."""

GAP = 0.005  # relative MIP gap the solver stops at (0,5 %)
TIME_LIMIT = 60.0  # seconds per solve
STRICT_MARGIN = 1e-3  # mnkr (1 000 kr): what "under" the threshold keeps, against the solver's rounding
EARLIER = 1e-6  # the objective's preference, per year, for starting a proposal earlier (a tie-break only)
FRONTIER = tuple(round(0.075 + 0.001 * k, 3) for k in range(11))  # riktvärde 7,5 … 8,5 % in 0,1 pe steps
