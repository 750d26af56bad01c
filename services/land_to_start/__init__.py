"""拿地即开工 (start building the day the land is signed): the case, its branches and timeline."""
