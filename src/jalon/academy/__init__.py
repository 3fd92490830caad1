"""The Academy: a Product Owner flight simulator, PSPO I practice and a learning path.

Sub-packages: `sim` (the pure simulation engine and its scenarios), `runs` (a trainee's runs
on a sandbox product), `quiz` (the question bank, practice and mock assessments), `path`
(modules, exercises, progress, certificates, cohorts and the trainer's dashboard).
"""
