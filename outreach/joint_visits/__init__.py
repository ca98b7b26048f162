"""Joint visits with a partner office (the labour office, Disnaker, or the district prosecutor,
Kejari): the invitation letter proposing a day, the partner's response, and the visit logged
as a step of the case."""
