"""Sprint Review and Retrospective: the increment, feedback, the Product Goal, action items."""
