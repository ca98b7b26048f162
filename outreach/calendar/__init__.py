"""Indonesian working days: national holidays, collective leave and a branch's own days off."""
