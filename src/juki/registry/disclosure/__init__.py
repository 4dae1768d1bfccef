"""開示 at the register (001a §5.9 DISC-2; 個人情報の保護に関する法律 第76条): a person's
own 住民票, its history and the provisions of it, answered with a PDF."""
