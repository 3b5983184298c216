"""The advisor (`socready advise`): which SOC reports, categories and timeline a company needs, and why."""
