"""Municipality to municipality through the CS (001a §3.3; 001b I-07, I-09, I-10): 特例転入
(住基法 第24条の2) from the 転出証明書情報 the former municipality sends, and, at the former
municipality, the answer to that request and the 転入通知 that completes its 除票."""
