"""Money: the ledger of a company (contributions owed, the fine, payments, the balance) and the
dated reference data it reads (JP wage caps, late-payment rates)."""
