(function () {
  var C = __CONFIG__;
  var me = document.currentScript;
  if (!me || document.getElementById('botstudio-chat-button')) return;
  var page = me.src.replace(/\/embed\.js(\?.*)?$/, '') + C.query;
  var button = document.createElement('button');
  button.id = 'botstudio-chat-button';
  button.type = 'button';
  button.textContent = '💬 ' + C.label;
  button.style.cssText = 'position:fixed;right:20px;bottom:20px;z-index:2147483647;' +
    'background:' + C.color + ';color:#fff;border:0;border-radius:24px;padding:12px 18px;' +
    'font:15px/1 -apple-system,system-ui,"PingFang SC","Microsoft YaHei",sans-serif;' +
    'box-shadow:0 6px 20px rgba(0,0,0,.25);cursor:pointer';
  button.addEventListener('click', function () {
    var wide = window.innerWidth > 640;
    var features = wide ? 'noopener,width=420,height=720' : 'noopener';
    window.open(page, 'botstudio-chat', features);
  });
  (document.body || document.documentElement).appendChild(button);
})();
