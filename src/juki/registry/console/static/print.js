// Opened after the console recorded the print in the output log (POST …/print).
window.addEventListener("load", () => window.print());
