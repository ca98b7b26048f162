"""The escalation ladder: its rungs, their conditions and deadlines, and the branch settings that
tune them.
"""
