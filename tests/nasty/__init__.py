"""The nasty-input corpus: bad source files, built from code, with the outcome each must have."""
