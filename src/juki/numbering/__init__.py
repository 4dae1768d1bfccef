"""個人番号生成システム (Individual Number generation system), J-LIS. Spec 000 §2.2, §3.1, §4.1."""
