"""xAPI: onboarding progress as xAPI statements (`statements`, pure), read from the records
(`events`), and pushed to a Learning Record Store (`push`)."""
