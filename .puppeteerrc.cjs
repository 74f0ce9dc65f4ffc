// Puppeteer drives the system Chromium where one is installed (Debian's `chromium`), so installs
// on closed networks do not try to download a browser. Set PUPPETEER_EXECUTABLE_PATH to override.
const fs = require('fs');
const system = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
module.exports = system ? { skipDownload: true, executablePath: system } : {};
