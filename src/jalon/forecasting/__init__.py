"""Monte Carlo forecasts of delivery, calibrated on the team's own history."""
