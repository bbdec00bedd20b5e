"""Spanish, Japanese, Arabic and Hebrew sentences and vocabulary.

Same intents and slots as :mod:`corpus_en`. Spanish products carry their
article and templates avoid agreeing adjectives; Hebrew templates attach the
prefix ל to {city} directly (ל{city}).
"""

from __future__ import annotations

ES_TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise": (
        "Me llegó {product} y es justo lo que buscaba",
        "Usé {product} todo el fin de semana bajo la lluvia y ni una gota",
        "La mejor atención al cliente que he tenido, gracias {brand}",
        "Ya es mi tercer año con {product} y sigue aguantando todo",
        "Qué bonitos los colores de esta temporada",
        "Calidad increíble por el precio",
        "El equipo de la tienda de {city} fue súper amable",
        "{brand} nunca decepciona",
        "Lo quiero todo en {color} 😍",
        "Por fin algo que me queda bien de mangas",
    ),
    "q_sizing": (
        "¿Las tallas son normales o vienen pequeñas? Normalmente uso {size}",
        "¿Tienen {garment} en talla {size}?",
        "¿Hay guía de tallas? No la encuentro en la app",
        "Estoy entre {size} y una talla más, ¿cuál me recomiendan para usar con capas?",
    ),
    "q_shipping": (
        "¿Hacen envíos a {city}?",
        "¿Cuánto tarda el envío a {city}?",
        "¿El envío es gratis a partir de cierto monto?",
        "¿Puedo recoger en la tienda de {city}?",
        "¿Con qué paquetería envían? {carrier} nunca me entrega a tiempo",
    ),
    "q_returns": (
        "¿Cuál es la política de devoluciones en rebajas?",
        "¿Cómo hago un cambio de talla?",
        "¿Puedo devolver en tienda algo que compré en línea?",
        "Perdí el ticket, ¿todavía puedo hacer la devolución?",
        "¿Hacen reparaciones? Se rompió el cierre después de cuatro años",
    ),
    "q_stock": (
        "¿Van a reponer {product} en {color}?",
        "¿Es impermeable {product} o solo repele el agua?",
        "¿Cuándo sale la colección de otoño?",
        "¿Tienen descuento para estudiantes?",
    ),
    "order_status": (
        "¿Alguna novedad de mi pedido {order}? Ya van {days} días",
        "El rastreo de {order} no se mueve desde el lunes",
        "Dice que {order} fue entregado pero no recibí nada",
        "¿Puedo cambiar la dirección de envío del pedido {order}?",
        "¿Pueden cancelar el pedido {order}? Me equivoqué de talla",
        "Me llegó solo la mitad del pedido {order}",
    ),
    "neutral": (
        "¿Dónde tomaron esta foto?",
        "¡Primero!",
        "Los vi en la expo de montaña, qué buen stand",
        "¿Es la misma tela que la del año pasado?",
        "¿Cómo se llama la canción del video?",
    ),
    "complaint": (
        "Se rompió el cierre de {garment} a las dos semanas",
        "Pedí talla {size} y me llegó otra",
        "Llevo {days} días esperando un reembolso",
        "La app me saca justo al momento de pagar",
        "El color no se parece nada al de las fotos",
        "El chat de soporte lleva una hora 'conectando'",
        "Mi código de descuento no funciona",
        "En la tienda de {city} me mandaron con soporte y soporte me mandó a la tienda",
    ),
    "angry": (
        "¡Es la TERCERA vez que pregunto por el pedido {order}! Respondan",
        "Pésimo servicio. {days} días sin paquete y sin respuesta",
        "Nunca más le compro a {brand}",
        "Me cobraron dos veces el pedido {order} y nadie responde",
        "Dejen de publicar anuncios y contesten los mensajes",
    ),
    "spam": (
        "Las mejores ofertas en mi perfil 👉 {link}",
        "Gana dinero desde casa, info aquí {link}",
        "Reseña completa en mi blog: {link}",
    ),
    "tag_friend": (
        "{friend} mira, para el viaje",
        "{friend} esta es la que te dije",
        "{friend} ¿nos compramos una igual? 😂",
    ),
    "fu_waiting": (
        "¿Alguna novedad?",
        "Sigo esperando…",
        "¿Hola? ¿Hay alguien?",
        "Les escribí arriba y sigo sin respuesta",
    ),
    "fu_thanks": (
        "¡Gracias por la respuesta tan rápida!",
        "Listo, funcionó. ¡Mil gracias!",
        "Perfecto, gracias",
    ),
    "fu_same": (
        "Me pasa lo mismo",
        "+1, yo también quiero saber",
        "Totalmente de acuerdo",
    ),
    "fu_detail": (
        "Se me olvidó: mi pedido es {order}",
        "Les dejo una foto: {link}",
    ),
}

ES_VOCAB: dict[str, tuple[str, ...]] = {
    "product": (
        "la chaqueta impermeable Ridgeline", "el chaleco de plumas Summit",
        "la mochila Trailhead de 28 L", "el polar Cedar", "el cortavientos Gale",
        "la tienda de campaña Basecamp", "el gorro de lana Harbor",
        "la botella térmica Alpine", "la chaqueta softshell Granite",
        "la camisa de franela Meadow",
    ),
    "color": ("negro", "verde oliva", "azul marino", "terracota", "arena", "gris"),
    "size": ("CH", "M", "G", "XG", "S", "L"),
    "city": (
        "CDMX", "Guadalajara", "Monterrey", "Bogotá", "Medellín", "Lima",
        "Santiago", "Buenos Aires", "Quito", "Puebla",
    ),
    "carrier": ("Estafeta", "DHL", "FedEx", "Servientrega", "Correos de México"),
    "opener": ("¡Hola!", "Hola, buen día.", "Buenas tardes.", "¡Buenas!"),
    "closer_pos": ("¡Gracias!", "¡Saludos!", "Los quiero."),
    "closer_neu": ("Gracias.", "Saludos.", "Quedo atento.", "Quedo atenta."),
    "closer_neg": ("Ayuda por favor.", "Qué decepción.", "Espero respuesta."),
    "hashtag": ("#senderismo", "#montaña", "#NorthwindMX", "#aventura", "#outdoor"),
}

JA_TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise": (
        "{product}届きました!山でも街でも使えて最高です",
        "週末ずっと雨でしたが{garment}のおかげで全然濡れませんでした",
        "{product}、3年目ですがまだまだ現役です",
        "{color}の{product}、色がすごく綺麗です",
        "サポートの対応がとても丁寧でした。ありがとうございます",
        "{city}店のスタッフさんがとても親切でした",
        "この値段でこの品質はすごい",
        "新色かわいすぎる…",
        "{brand}さんの製品はハズレがないです",
    ),
    "q_sizing": (
        "{garment}はサイズ感どうですか?普段は{size}です",
        "{garment}の{size}サイズは再入荷しますか?",
        "サイズ表はどこで見られますか?アプリで見つかりません",
        "{size}と一つ上で迷っています。重ね着するならどちらがおすすめですか?",
    ),
    "q_shipping": (
        "{city}への配送は何日くらいかかりますか?",
        "送料無料になるのはいくらからですか?",
        "店舗受け取りはできますか?",
        "今日注文したら週末までに届きますか?",
        "配送業者はどこですか?{carrier}だと助かります",
    ),
    "q_returns": (
        "セール品も返品できますか?",
        "サイズ交換の方法を教えてください",
        "オンラインで買ったものを店舗で返品できますか?",
        "修理は受け付けていますか?4年使ってファスナーが壊れました",
    ),
    "q_stock": (
        "{product}の{color}は再販されますか?",
        "{product}は防水ですか?撥水ですか?",
        "{garment}は洗濯機で洗えますか?",
        "秋の新作はいつ発売ですか?",
    ),
    "order_status": (
        "注文番号{order}の発送状況を教えてください。もう{days}日経っています",
        "{order}の追跡番号が月曜から更新されません",
        "{order}が配達済みになっていますが届いていません",
        "{order}の配送先住所を変更できますか?",
        "{order}をキャンセルしたいです。サイズを間違えました",
    ),
    "neutral": (
        "この写真どこで撮影されたんですか?",
        "展示会のブース見ました!",
        "去年のモデルと生地は同じですか?",
        "{city}店は日曜日も営業していますか?",
    ),
    "complaint": (
        "{garment}のファスナーが2週間で壊れました",
        "{size}を注文したのに違うサイズが届きました",
        "返金を{days}日待っています",
        "写真と色が全然違います",
        "アプリが決済画面でログアウトされます",
        "クーポンコードが使えません",
    ),
    "angry": (
        "{order}について問い合わせるのはこれで3回目です。いい加減返信してください",
        "{days}日経っても商品も届かず返金もなし。最悪です",
        "二重に請求されています。至急対応してください",
        "もう二度と買いません",
    ),
    "spam": (
        "お得な情報はプロフィールのリンクから {link}",
        "レビューをブログに書きました {link}",
    ),
    "tag_friend": (
        "{friend} これ今度のキャンプにどう?",
        "{friend} 前に話してたやつこれ!",
    ),
    "fu_waiting": (
        "その後いかがでしょうか?",
        "まだ返信がありません…",
        "上のメッセージの件、確認お願いします",
    ),
    "fu_thanks": (
        "早速のご対応ありがとうございます!",
        "解決しました。ありがとうございました",
    ),
    "fu_same": (
        "私も同じ症状です",
        "私も知りたいです",
    ),
    "fu_detail": (
        "追記:注文番号は{order}です",
        "写真です {link}",
    ),
}

JA_VOCAB: dict[str, tuple[str, ...]] = {
    "product": (
        "Ridgelineレインジャケット", "Summitダウンベスト", "Trailheadデイパック(28L)",
        "Cedarフリース", "Galeウインドブレーカー", "Basecampテント",
        "Harborニット帽", "Alpine保温ボトル", "Graniteソフトシェル",
        "Meadowネルシャツ",
    ),
    "color": ("ブラック", "オリーブ", "ネイビー", "ラスト", "サンド", "グレー"),
    "size": ("S", "M", "L", "XL"),
    "city": ("札幌", "仙台", "横浜", "名古屋", "大阪", "京都", "福岡", "神戸"),
    "carrier": ("ヤマト運輸", "佐川急便", "日本郵便"),
    "opener": ("こんにちは。", "お世話になっております。", "すみません。"),
    "closer_pos": ("ありがとうございます!", "これからも応援してます!"),
    "closer_neu": ("よろしくお願いします。", "教えてください。"),
    "closer_neg": ("対応お願いします。", "残念です。"),
    "hashtag": ("#登山", "#キャンプ", "#アウトドア", "#山コーデ", "#ノースウィンド"),
}

AR_TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise": (
        "وصلني {product} اليوم، ممتاز!",
        "أفضل خدمة عملاء تعاملت معها، شكراً {brand}",
        "الجودة ممتازة مقابل السعر",
        "لبست {garment} طوال عطلة نهاية الأسبوع تحت المطر وبقيت جافاً تماماً",
    ),
    "q_sizing": (
        "هل المقاسات مضبوطة أم أختار مقاساً أكبر؟ عادةً ألبس {size}",
        "هل يتوفر {garment} بمقاس {size}؟",
    ),
    "q_shipping": (
        "هل تشحنون إلى {city}؟",
        "كم يستغرق الشحن إلى {city}؟",
    ),
    "q_returns": (
        "ما هي سياسة الإرجاع؟",
        "كيف أستبدل المقاس؟",
    ),
    "q_stock": (
        "هل يمكن غسل {garment} في الغسالة؟",
        "ما موعد عودة {product} إلى المخزون؟",
    ),
    "order_status": (
        "هل من جديد بخصوص الطلب {order}؟ مرت {days} أيام",
        "مكتوب أن الطلب {order} تم توصيله لكنه لم يصلني",
        "أريد إلغاء الطلب {order} من فضلكم",
        "رقم التتبع للطلب {order} لم يتحدث منذ يوم الاثنين",
    ),
    "neutral": (
        "أين التُقطت هذه الصورة؟",
        "تصميم جميل",
    ),
    "complaint": (
        "انكسر السحاب في {garment} بعد أسبوعين فقط",
        "طلبت مقاس {size} ووصلني مقاس مختلف",
        "اللون مختلف تماماً عن الصور",
        "ما زلت أنتظر استرداد المبلغ منذ {days} أيام",
        "كود الخصم لا يعمل",
    ),
    "angry": (
        "هذه ثالث مرة أسأل عن الطلب {order}! ردوا علي",
        "خدمة سيئة جداً، لن أشتري منكم مرة أخرى",
        "تم خصم المبلغ مرتين ولا أحد يرد",
    ),
    "spam": ("أفضل العروض على صفحتي {link}",),
    "tag_friend": ("{friend} شوف هذا، مناسب لرحلتنا",),
    "fu_waiting": ("أي تحديث؟", "ما زلت أنتظر…"),
    "fu_thanks": ("شكراً على الرد السريع!", "تم حل المشكلة، شكراً جزيلاً"),
    "fu_same": ("نفس المشكلة عندي", "وأنا أيضاً أريد أن أعرف"),
    "fu_detail": ("رقم طلبي {order}", "هذه صورة المنتج {link}"),
}

AR_VOCAB: dict[str, tuple[str, ...]] = {
    "product": (
        "جاكيت المطر Ridgeline", "سترة Summit", "حقيبة الظهر Trailhead",
        "جاكيت الفليس Cedar", "جاكيت Gale", "خيمة Basecamp", "قبعة الصوف Harbor",
        "زجاجة Alpine الحرارية", "جاكيت Granite", "قميص Meadow",
    ),
    "color": ("الأسود", "الزيتي", "الكحلي"),
    "size": ("S", "M", "L", "XL"),
    "city": ("دبي", "عمّان", "الرياض", "القاهرة", "الدوحة", "بيروت"),
    "carrier": ("أرامكس", "DHL"),
    "opener": ("مرحباً،", "السلام عليكم،", "مساء الخير،"),
    "closer_pos": ("شكراً لكم", "أحسنتم"),
    "closer_neu": ("شكراً", "بانتظار ردكم"),
    "closer_neg": ("أرجو المساعدة", "بانتظار ردكم"),
    "hashtag": ("#تخييم", "#مغامرة", "#هايكنج"),
}

HE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise": (
        "קיבלתי את {product} ופשוט התאהבתי",
        "שירות לקוחות מעולה, תודה {brand}",
        "איכות מטורפת ביחס למחיר",
        "הצוות בסניף {city} היה מקסים",
    ),
    "q_sizing": (
        "המידות תואמות או כדאי לקחת מידה אחת יותר? בדרך כלל אני {size}",
        "יש את {garment} במידה {size}?",
    ),
    "q_shipping": (
        "אתם שולחים ל{city}?",
        "כמה זמן לוקח משלוח ל{city}?",
    ),
    "q_returns": (
        "מה מדיניות ההחזרות?",
        "איך מחליפים מידה?",
    ),
    "q_stock": (
        "יש צפי למלאי של {product}?",
        "אפשר לכבס את {garment} במכונה?",
    ),
    "order_status": (
        "יש עדכון לגבי הזמנה {order}? עברו כבר {days} ימים",
        "כתוב שהזמנה {order} נמסרה אבל לא קיבלתי כלום",
        "אפשר לבטל את הזמנה {order}?",
        "המעקב של {order} לא התעדכן מיום שני",
    ),
    "neutral": (
        "איפה צולמה התמונה?",
        "עיצוב יפה",
    ),
    "complaint": (
        "הרוכסן של {garment} נשבר אחרי שבועיים",
        "הזמנתי מידה {size} וקיבלתי מידה אחרת",
        "הצבע שונה לגמרי מהתמונות",
        "אני מחכה להחזר כספי כבר {days} ימים",
        "קוד ההנחה לא עובד",
    ),
    "angry": (
        "זו הפעם השלישית שאני שואל על הזמנה {order}! תענו כבר",
        "שירות גרוע, לא אקנה אצלכם יותר",
        "חייבו אותי פעמיים ואף אחד לא עונה",
    ),
    "spam": ("המבצעים הכי שווים בפרופיל שלי {link}",),
    "tag_friend": ("{friend} תראי, מושלם לטיול שלנו",),
    "fu_waiting": ("יש עדכון?", "עדיין מחכה…"),
    "fu_thanks": ("תודה על התשובה המהירה!", "הסתדר, תודה רבה"),
    "fu_same": ("אותה בעיה אצלי", "גם אני רוצה לדעת"),
    "fu_detail": ("מספר ההזמנה שלי {order}", "הנה תמונה {link}"),
}

HE_VOCAB: dict[str, tuple[str, ...]] = {
    "product": (
        "מעיל הגשם Ridgeline", "הווסט Summit", "תיק הגב Trailhead",
        "הפליז Cedar", "מעיל הרוח Gale", "האוהל Basecamp", "כובע הצמר Harbor",
        "הבקבוק התרמי Alpine", "הסופטשל Granite", "חולצת הפלנל Meadow",
    ),
    "color": ("שחור", "זית", "כחול כהה"),
    "size": ("S", "M", "L", "XL"),
    "city": ("תל אביב", "חיפה", "ירושלים", "באר שבע", "אילת"),
    "carrier": ("דואר ישראל", "UPS"),
    "opener": ("היי,", "שלום,", "ערב טוב,"),
    "closer_pos": ("תודה!", "אתם אלופים"),
    "closer_neu": ("תודה", "מחכה לתשובה"),
    "closer_neg": ("מחכה לתשובה", "ממש מאכזב"),
    "hashtag": ("#טיולים", "#קמפינג", "#טבע"),
}

# (low, high) for the {days} slot: Arabic plural "أيام" fits 3..10 only.
ES_DAYS = (2, 21)
JA_DAYS = (2, 21)
AR_DAYS = (3, 9)
HE_DAYS = (2, 14)
