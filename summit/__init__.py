"""Summit: a graph-database backed explorer of what an image classifier learned."""

__version__ = "0.1.0"
