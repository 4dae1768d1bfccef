"""Operators (操作者): the people who use a node, and what each may do.

Every node keeps its own operators, as each PIA's body keeps its own users:
- personal accounts only, bound to a named person and an employee number (000 AUTH-01);
- password (argon2id) and a second factor standing for 生体認証: WebAuthn with user
  verification, or TOTP where an administrator granted it with a reason and expiry
  (000 AUTH-02; 002 records such exemptions at 熊本県);
- rights per duty (事務) and access (update / read-only), requested by one person and
  approved by another (000 ACL-01..03); user-list and privileged-activity reports
  (ACL-04, ACL-05).
"""
