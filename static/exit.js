// Quick exit: replace this page in the history with the exit route (which sends the browser to
// a neutral site), so the back button does not lead here. Without JavaScript the link works too.
document.addEventListener("DOMContentLoaded", function () {
  var link = document.getElementById("quick-exit");
  if (!link) {
    return;
  }
  link.addEventListener("click", function (event) {
    event.preventDefault();
    window.location.replace(link.getAttribute("href"));
  });
});
