"""代办 (agent service): mandates, assignment, acting for an enterprise and the agent's workbench."""
