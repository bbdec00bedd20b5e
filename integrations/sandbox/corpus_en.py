"""English sentences and vocabulary for sandbox traffic.

Templates use ``str.format`` slots: {product} {garment} {color} {size} {city} {order}
{days} {carrier} {brand} {friend} {link}. In a mention {brand} becomes the
account handle; elsewhere it is the brand name. {garment} is a product
someone wears (sizes, sleeves, zippers, washing).
"""

from __future__ import annotations

TEMPLATES: dict[str, tuple[str, ...]] = {
    "praise": (
        "Just got my {product} and it's perfect for the trails around {city}",
        "Wore the {garment} all weekend in the rain and stayed completely dry",
        "Third year with my {product}, still going strong",
        "The {product} in {color} is gorgeous. Already ordered a second one",
        "Honestly the best customer service I've had all year, thank you {brand}",
        "Been waiting for the {product} to come back and it's finally here!",
        "Took the {product} up to the summit last week, worth every penny",
        "Your team sorted out my order in ten minutes. That's how it's done",
        "Obsessed with the new colors this season",
        "Quality is unreal for the price",
        "{brand} never disappoints",
        "My kids stole my {product}, guess I need another one",
        "Fits true to size and super comfy. 10/10",
        "Finally a {garment} that fits people with long arms",
        "Shoutout to the staff at the {city} store, so helpful today",
        "Bought the {product} on a whim and now I live in it",
    ),
    "q_sizing": (
        "Does the {garment} run small? I'm usually a size {size}",
        "Is the {garment} true to size or should I size up?",
        "What size would you recommend for someone 5'6\" who likes a loose fit?",
        "Do you still have the {garment} in {size}? The site says sold out",
        "Is there a size chart for the {garment}? Can't find it in the app",
        "I'm between a {size} and the next size up. Which one works for layering?",
        "Does the {garment} come in petite or tall sizes?",
        "How long are the sleeves on the {garment}? I have long arms lol",
    ),
    "q_shipping": (
        "Do you ship to {city}?",
        "How long does shipping usually take to Canada?",
        "Is there free shipping on orders over $50?",
        "Can I pick up at the {city} store instead of getting it shipped?",
        "Which carrier do you use? {carrier} keeps losing my packages",
        "If I order today will it arrive before the weekend?",
        "Do you offer express shipping?",
        "Is international shipping available yet?",
    ),
    "q_returns": (
        "What's your return policy on sale items?",
        "Can I return the {product} in store if I bought it online?",
        "How do I start an exchange for a different size?",
        "I lost the receipt. Can I still return the {product}?",
        "Is return shipping free or do I pay for the label?",
        "How many days do I have to return something?",
        "Do you do repairs? The zipper on my {garment} gave out after four years",
    ),
    "q_stock": (
        "Will the {product} be restocked in {color}?",
        "Is the {product} in stores or online only?",
        "When does the fall collection drop?",
        "Any chance the {product} goes on sale soon?",
        "Is the {product} waterproof or just water resistant?",
        "Can the {garment} go in the washing machine?",
        "Do you have student discounts?",
    ),
    "order_status": (
        "Any update on order {order}? It's been {days} days",
        "The tracking for {order} hasn't moved since Monday",
        "Order {order} says delivered but there's nothing here",
        "Can I still change the shipping address on {order}?",
        "I got a confirmation email for {order} but no tracking number yet",
        "Could you cancel order {order}? I picked the wrong size",
        "Was {order} split into two packages? I only got half of it",
        "When will {order} ship? I need it for a trip on Friday",
    ),
    "neutral": (
        "Where was this photo taken?",
        "First!",
        "Saw your booth at the outdoor expo today",
        "Is this the same fabric as last year's version?",
        "Didn't know you made tents now",
        "Following for the giveaway",
        "What's the song in this video?",
        "Same jacket my dad had in the 90s haha",
        "Is the {city} store open on Sundays?",
    ),
    "complaint": (
        "The zipper on my {garment} broke after two weeks",
        "Ordered a size {size} and got something completely different",
        "The {product} started leaking at the seams on its first real hike",
        "Been waiting {days} days for a refund that was supposedly processed",
        "Your app keeps logging me out at checkout",
        "The color of the {product} looks nothing like the photos",
        "Support chat has been 'connecting' for an hour",
        "The {garment} pilled after three washes. Kind of disappointed",
        "Why is the price different on the app and the website?",
        "My discount code isn't working at checkout",
        "Received a used item. There was mud on the {product}",
        "The {city} store told me to call support and support told me to go to the store",
    ),
    "angry": (
        "This is the THIRD time I'm asking about order {order}. Answer me!!",
        "Worst experience ever. {days} days, no package, no refund, no reply",
        "Absolutely unacceptable. The {product} fell apart and nobody cares",
        "Stop posting ads and answer your DMs",
        "I will never buy from {brand} again",
        "Charged twice for {order} and still no reply. Fix it NOW",
        "Paid $200 for a {product} that lasted a week. Disgraceful",
        "Calling my bank if I don't hear back today",
    ),
    "spam": (
        "Check my page for the best deals on outdoor gear {link}",
        "I made $500 a day working from home, see {link}",
        "Follow back? 🙏",
        "Great content! DM us for a collab 💼",
        "Full review of the {product} on my blog: {link}",
        "Photos from our trip with the {product}: {link}",
    ),
    "tag_friend": (
        "{friend} look, your birthday present is sorted",
        "{friend} we need these for the trip",
        "{friend} this is the one I told you about",
        "{friend} matching jackets?? 😂",
    ),
    "fu_waiting": (
        "Any update?",
        "Still waiting on this…",
        "Hello? Anyone there?",
        "Just following up on my message above",
        "Another day, still nothing",
    ),
    "fu_thanks": (
        "Thanks for the quick reply!",
        "That worked, thank you so much",
        "Got it, appreciate the help",
        "Perfect, thanks!",
    ),
    "fu_same": (
        "Same problem here",
        "+1, would love to know too",
        "Agreed 100%",
        "Came here to ask the same thing",
    ),
    "fu_detail": (
        "Sorry, forgot to add: my order is {order}",
        "Here's a photo: {link}",
        "It's the {garment} in {color}, size {size}",
    ),
}

VOCAB: dict[str, tuple[str, ...]] = {
    # Same catalogue order in every language (index = product).
    "product": (
        "Ridgeline rain jacket", "Summit down vest", "Trailhead 28L daypack",
        "Cedar fleece", "Gale windbreaker", "Basecamp 2P tent",
        "Harbor wool beanie", "Alpine insulated bottle", "Granite softshell",
        "Meadow flannel shirt",
    ),
    "color": ("black", "olive", "navy", "rust", "sand", "forest green", "slate"),
    "size": ("XS", "S", "M", "L", "XL", "XXL"),
    "city": (
        "Denver", "Portland", "Toronto", "Boston", "Seattle", "Chicago",
        "Austin", "Vancouver", "Salt Lake City", "Minneapolis",
    ),
    "carrier": ("UPS", "FedEx", "USPS", "DHL", "Canada Post"),
    "opener": ("Hi!", "Hello!", "Hey there!", "Hi team!", "Good morning!", "Quick question."),
    "closer_pos": ("Thank you!", "Keep it up!", "Love you guys.", "Cheers!"),
    "closer_neu": ("Thanks!", "Thanks in advance.", "Cheers", "Appreciate it."),
    "closer_neg": ("Please help.", "Really disappointed.", "Not cool.", "Please fix this."),
    "hashtag": (
        "#NorthwindOutfitters", "#optoutside", "#hiking", "#trailrunning",
        "#rainyday", "#gearreview", "#camping", "#PNW",
    ),
}

DAYS = (2, 21)
