/* Scan a checkpoint's QR code with the camera: the browser's BarcodeDetector where it
   exists, else jsQR (vendored, loaded only now). The code read (the last part of the
   checkpoint's address, or the code itself) fills the form, which is then sent. */
(function () {
  "use strict";
  var script = document.currentScript;
  function codeOf(text) {
    var parts = String(text || "").trim().replace(/\/+$/, "").split("/");
    return parts[parts.length - 1];
  }
  function loadDecoder(src) {
    return new Promise(function (resolve, reject) {
      if (window.jsQR) { resolve(window.jsQR); return; }
      var s = document.createElement("script");
      s.src = src; s.onload = function () { resolve(window.jsQR); }; s.onerror = reject;
      document.head.appendChild(s);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("scan-camera");
    var form = document.getElementById("scan-form");
    if (!button || !form || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var video = document.getElementById("patrol-video");
      var view = document.getElementById("scan-view");
      var canvas = document.createElement("canvas");
      var ctx = canvas.getContext("2d", {willReadFrequently: true});
      var detector = ("BarcodeDetector" in window) ? new window.BarcodeDetector({formats: ["qr_code"]}) : null;
      var decoder = detector ? Promise.resolve(null) : loadDecoder(script.dataset.decoder);
      navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}, audio: false}).then(function (stream) {
        view.hidden = false; button.hidden = true;
        video.srcObject = stream; video.play();
        function done(text) {
          stream.getTracks().forEach(function (t) { t.stop(); });
          form.elements.code.value = codeOf(text);
          form.requestSubmit ? form.requestSubmit() : form.submit();
        }
        decoder.then(function (jsQR) {
          function tick() {
            if (video.readyState < 2) { requestAnimationFrame(tick); return; }
            if (detector) {
              detector.detect(video).then(function (found) {
                if (found.length) done(found[0].rawValue); else setTimeout(tick, 200);
              }, function () { setTimeout(tick, 400); });
              return;
            }
            canvas.width = video.videoWidth; canvas.height = video.videoHeight;
            ctx.drawImage(video, 0, 0);
            var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
            var hit = jsQR(img.data, img.width, img.height, {inversionAttempts: "dontInvert"});
            if (hit) done(hit.data); else setTimeout(tick, 250);
          }
          tick();
        });
      }, function () { button.hidden = true; document.getElementById("scan-code").focus(); });
    });
  });
})();
