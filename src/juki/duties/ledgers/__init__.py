"""The registers (台帳・記録簿) the assessments ask a node to keep beside its files."""
