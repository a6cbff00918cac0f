"""Practice over weeks: programmes, the plan that follows the person, and the history."""
