"""statgen: statistical physics and generative modelling."""
__version__ = "0.1.0"
