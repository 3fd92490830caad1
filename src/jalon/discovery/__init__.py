"""Testing before building: the opportunity solution tree (outcomes, opportunities,
solutions, assumptions), experiments and the A/B calculator, vision board and personas."""
