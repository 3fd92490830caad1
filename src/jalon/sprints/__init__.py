"""Teams, sprints, sprint planning, the sprint board and spill-over."""
