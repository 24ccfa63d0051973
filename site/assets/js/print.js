// The print button of an article (Decree 42/2022/NĐ-CP, Art. 7: every
// article can be printed and saved). Without this script the button stays
// hidden: only a script can open the print dialogue.
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (!button || !window.print) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
