"""The learning path (modules, lessons, exercises checked by the tool, progress, certificates),
cohorts and the trainer's dashboard."""
