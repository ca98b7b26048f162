"""The employer's answer (replies, commitments) and the legal track after the referral."""
