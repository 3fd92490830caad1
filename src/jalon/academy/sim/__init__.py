"""The simulation engine: scenarios (YAML, validated), one sprint's resolution, policies, replay
and the debrief's comparison with an informed policy. Pure: no database, no web."""
