"""庁内連携 (001a §3.12, §4.1.8; XFER-1-x, USE-1-1): the register's items for the ward's
departments and the Board of Education, only under an approval of the 庁内連携先台帳
(`linkage_table.csv`), every request kept in the linkage record."""
