"""Pure functions from validation results to window verdicts, roll-ups, score and Type II date."""
