"""Work in the field: a visit's position, maps of the day and the branch, and one tap to call
or message the employer."""
