"""Cases of non-compliance, the steps taken on them and their proof."""
