"""Certificates at the counter (住基法 第12条 本人等, 第12条の2 国・地方公共団体, 第12条の3
第三者): who may get what, the 交付履歴, the PDF itself, and 住民票の写しの広域交付
(第12条の4) asked of the person's home municipality."""
