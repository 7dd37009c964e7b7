// The demo homepage: embeds the loader exactly like a center's homepage would, for ?center=<slug>.
const params = new URLSearchParams(location.search);
const center = params.get('center') ?? 'demo';
if (params.get('lang')) document.documentElement.lang = params.get('lang')!;
const src = `${location.origin}/widget.js`;
const snippet = document.getElementById('snippet');
if (snippet) snippet.textContent = `<script src="${src}" data-center="${center}" async></script>`;
const tag = document.createElement('script');
tag.src = src;
tag.async = true;
tag.dataset.center = center;
document.body.append(tag);
