"""PSPO I practice: the original question bank, quizzes (practice with spaced repetition, mock
assessments), item statistics, and the GIFT and YAML imports and exports."""
