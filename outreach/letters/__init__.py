"""Letters: templates and their versions, drafts, issuing with gapless numbers, verification,
batch printing; PDF rendering with WeasyPrint and the sandbox of the edited templates."""
