"""One module per optimizer: its rules in both conventions, its in-place form and its
metadata (``CHEATSHEET`` and ``PYTORCH``). The registry is ``optim_core.optimizers``."""
