"""世帯 (住基法 第6条, 第7条第4号): forming, joining and leaving households, the 続柄 of
each member, and the rule that holds after every 届出 — each current household has exactly
one 世帯主 among its members; one left with no members is dissolved."""
