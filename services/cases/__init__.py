"""A case (办件) of any process: applications, steps, human actions, decisions, acceptance, hand-off repair."""
