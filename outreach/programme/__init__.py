"""Informal workers (BPU) whose contributions sponsors pay: the city (APBD) and companies' CSR."""
