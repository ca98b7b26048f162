"""Inspections (pemeriksaan): the assignment letter, the inspection record signed on site and
the report a supervisor approves, whose findings update the company's compliance figures."""
