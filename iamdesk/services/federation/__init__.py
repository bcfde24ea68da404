"""Federation: OIDC and SAML identity providers (``oidc``, ``saml``), the documents they bring
(``xmldoc`` reads SAML XML safely, ``tokens`` reads JWTs) and the sessions STS makes from them
(``sessions``: AssumeRoleWithWebIdentity, AssumeRoleWithSAML)."""
