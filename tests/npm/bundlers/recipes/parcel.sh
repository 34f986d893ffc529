npx parcel build index.html
