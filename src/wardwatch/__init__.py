"""WardWatch: cyber-defence toolkit for Japanese hospitals (MHLW 2023 training), offline and Japanese first."""

__version__ = "0.1.0"
