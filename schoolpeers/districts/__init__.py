"""Districts: a district's office, its schools (provisioning, archiving), its settings (floors its
schools may tighten), its roster sync, its roll-up reports and its single sign-on providers.

District admins and analysts have accounts in the district's office (`School.kind`); they see the
district's schools and aggregates, never a student, and nothing of another district."""
