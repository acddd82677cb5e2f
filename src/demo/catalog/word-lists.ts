// The vocabulary the seed builds the demo catalog from. Changing a list changes every generated
// name after it, and the exact values the seed tests pin.

/** A category of the demo shop, with the things it sells and its price range in cents. */
export interface CategoryVocabulary {
  readonly name: string;
  readonly slug: string;
  readonly nouns: readonly string[];
  readonly minPriceCents: number;
  readonly maxPriceCents: number;
}

/** The demo shop's categories. */
export const CATEGORIES: readonly CategoryVocabulary[] = [
  {
    name: 'Audio',
    slug: 'audio',
    nouns: ['Headphones', 'Earbuds', 'Speaker', 'Soundbar', 'Turntable', 'Amplifier', 'Microphone'],
    minPriceCents: 1999,
    maxPriceCents: 79999,
  },
  {
    name: 'Bags & Luggage',
    slug: 'bags-luggage',
    nouns: ['Backpack', 'Duffel Bag', 'Suitcase', 'Tote', 'Messenger Bag', 'Wash Bag', 'Sling'],
    minPriceCents: 1499,
    maxPriceCents: 34999,
  },
  {
    name: 'Bicycles',
    slug: 'bicycles',
    nouns: ['Helmet', 'Bike Light', 'Saddle', 'Pump', 'Lock', 'Pannier', 'Bell'],
    minPriceCents: 999,
    maxPriceCents: 24999,
  },
  {
    name: 'Books',
    slug: 'books',
    nouns: ['Cookbook', 'Atlas', 'Field Guide', 'Notebook', 'Sketchbook', 'Novel', 'Journal'],
    minPriceCents: 599,
    maxPriceCents: 5999,
  },
  {
    name: 'Camping',
    slug: 'camping',
    nouns: ['Tent', 'Sleeping Bag', 'Camp Stove', 'Lantern', 'Hammock', 'Camp Chair', 'Water Filter'],
    minPriceCents: 1299,
    maxPriceCents: 49999,
  },
  {
    name: 'Cameras',
    slug: 'cameras',
    nouns: ['Camera', 'Tripod', 'Lens', 'Camera Strap', 'Flash', 'Lens Hood', 'Gimbal'],
    minPriceCents: 1999,
    maxPriceCents: 149999,
  },
  {
    name: 'Coffee & Tea',
    slug: 'coffee-tea',
    nouns: ['Coffee Grinder', 'Pour-Over Set', 'Teapot', 'Espresso Cup', 'Kettle', 'French Press', 'Tea Caddy'],
    minPriceCents: 799,
    maxPriceCents: 59999,
  },
  {
    name: 'Computing',
    slug: 'computing',
    nouns: ['Keyboard', 'Mouse', 'Monitor Stand', 'USB Hub', 'Laptop Sleeve', 'Webcam', 'Docking Station'],
    minPriceCents: 1499,
    maxPriceCents: 39999,
  },
  {
    name: 'Cookware',
    slug: 'cookware',
    nouns: ['Frying Pan', 'Saucepan', 'Dutch Oven', 'Wok', 'Baking Tray', 'Stockpot', 'Grill Pan'],
    minPriceCents: 1999,
    maxPriceCents: 29999,
  },
  {
    name: 'Fitness',
    slug: 'fitness',
    nouns: ['Yoga Mat', 'Kettlebell', 'Resistance Band', 'Jump Rope', 'Foam Roller', 'Dumbbell', 'Pull-Up Bar'],
    minPriceCents: 999,
    maxPriceCents: 19999,
  },
  {
    name: 'Footwear',
    slug: 'footwear',
    nouns: ['Trail Runner', 'Sneaker', 'Hiking Boot', 'Sandal', 'Slipper', 'Chelsea Boot', 'Loafer'],
    minPriceCents: 2999,
    maxPriceCents: 24999,
  },
  {
    name: 'Furniture',
    slug: 'furniture',
    nouns: ['Armchair', 'Side Table', 'Bookshelf', 'Desk', 'Stool', 'Bench', 'Sideboard'],
    minPriceCents: 4999,
    maxPriceCents: 129999,
  },
  {
    name: 'Garden',
    slug: 'garden',
    nouns: ['Planter', 'Watering Can', 'Pruner', 'Garden Hose', 'Trowel', 'Bird Feeder', 'Seed Tray'],
    minPriceCents: 599,
    maxPriceCents: 14999,
  },
  {
    name: 'Kitchen Tools',
    slug: 'kitchen-tools',
    nouns: ['Chef Knife', 'Cutting Board', 'Whisk', 'Mixing Bowl', 'Peeler', 'Kitchen Scale', 'Spatula'],
    minPriceCents: 499,
    maxPriceCents: 24999,
  },
  {
    name: 'Lighting',
    slug: 'lighting',
    nouns: ['Desk Lamp', 'Floor Lamp', 'Pendant Light', 'String Lights', 'Wall Sconce', 'Night Light', 'Bulb'],
    minPriceCents: 799,
    maxPriceCents: 39999,
  },
  {
    name: 'Office',
    slug: 'office',
    nouns: ['Fountain Pen', 'Desk Organizer', 'Planner', 'Stapler', 'Letter Tray', 'Pencil Case', 'Whiteboard'],
    minPriceCents: 299,
    maxPriceCents: 14999,
  },
  {
    name: 'Outerwear',
    slug: 'outerwear',
    nouns: ['Rain Jacket', 'Parka', 'Fleece', 'Gilet', 'Windbreaker', 'Down Jacket', 'Poncho'],
    minPriceCents: 3999,
    maxPriceCents: 49999,
  },
  {
    name: 'Pets',
    slug: 'pets',
    nouns: ['Dog Bed', 'Cat Tree', 'Leash', 'Feeding Bowl', 'Chew Toy', 'Pet Carrier', 'Grooming Brush'],
    minPriceCents: 499,
    maxPriceCents: 19999,
  },
  {
    name: 'Toys & Games',
    slug: 'toys-games',
    nouns: ['Board Game', 'Puzzle', 'Building Set', 'Kite', 'Card Game', 'Model Kit', 'Plush Toy'],
    minPriceCents: 699,
    maxPriceCents: 14999,
  },
  {
    name: 'Watches',
    slug: 'watches',
    nouns: ['Field Watch', 'Dive Watch', 'Smartwatch', 'Watch Strap', 'Chronograph', 'Pocket Watch', 'Watch Roll'],
    minPriceCents: 2999,
    maxPriceCents: 99999,
  },
];

/** Maker names, first word of a product name. */
export const BRANDS: readonly string[] = [
  'Alder',
  'Brightwater',
  'Copperfield',
  'Driftwood',
  'Everline',
  'Fjordvik',
  'Granite & Co',
  'Harbor',
  'Ironbark',
  'Juniper',
  'Kestrel',
  'Lumen',
  'Meridian',
  'Northwind',
  'Oakhaven',
  'Pinecrest',
  'Quayside',
  'Redfern',
  'Saltmarsh',
  'Tidewell',
  'Upland',
  'Vantage',
  'Willow & Wren',
  'Yarrow',
  'Zenith',
];

/** Qualities, second word of a product name. */
export const ADJECTIVES: readonly string[] = [
  'Classic',
  'Compact',
  'Everyday',
  'Foldable',
  'Heritage',
  'Lightweight',
  'Modular',
  'Nomad',
  'Premium',
  'Rugged',
  'Slim',
  'Studio',
  'Travel',
  'Ultralight',
  'Urban',
  'Vintage',
  'Weatherproof',
  'Pro',
  'Essential',
  'Signature',
];

/** Materials or finishes, sometimes before the noun. */
export const MATERIALS: readonly string[] = [
  'Bamboo',
  'Canvas',
  'Ceramic',
  'Cork',
  'Cotton',
  'Leather',
  'Linen',
  'Oak',
  'Recycled',
  'Stainless',
  'Walnut',
  'Wool',
  'Graphite',
  'Copper',
  'Slate',
];

/** Sentences a description opens with; `{noun}` is the product's noun in lower case. */
export const DESCRIPTION_OPENINGS: readonly string[] = [
  'A {noun} built to last, with nothing you do not need.',
  'Our best-selling {noun}, refined over six seasons of customer feedback.',
  'This {noun} balances weight, strength and a price that makes sense.',
  'Designed in a small workshop and tested hard before it reached the catalog.',
  'The {noun} we reach for first, day after day.',
  'A quiet, well-made {noun} that looks as good in year five as on day one.',
];

/** Sentences a description goes on with. */
export const DESCRIPTION_DETAILS: readonly string[] = [
  'Every seam and joint is checked by hand.',
  'It packs down small and cleans up in seconds.',
  'Spare parts stay available for ten years.',
  'Made with materials from audited suppliers.',
  'Comes with a two-year warranty and free returns.',
  'Available while stock lasts; restocks ship in small batches.',
  'Shipped in plastic-free, recyclable packaging.',
  'Reviewers praise its finish and its feel in the hand.',
];

/** First names of the seeded reviewers. */
export const FIRST_NAMES: readonly string[] = [
  'Ada',
  'Ben',
  'Chloe',
  'Dmitri',
  'Elif',
  'Femi',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kalani',
  'Lena',
  'Mateo',
  'Noor',
  'Oskar',
  'Priya',
  'Quinn',
  'Rosa',
  'Sami',
  'Tomas',
  'Uma',
  'Vera',
  'Wen',
  'Yusuf',
  'Zoe',
];

/** Review bodies, by rating from 1 to 5 (index 0 is rating 1). */
export const REVIEW_BODIES: readonly (readonly string[])[] = [
  ['Broke within a week. Sent it back.', 'Not as described, and support was slow.', 'Would not buy again.'],
  ['Does the job, barely. The finish is rough.', 'Smaller than expected and a bit flimsy.', 'Fine for the price, but only just.'],
  ['Decent. Nothing special, nothing wrong.', 'Works as advertised; the packaging was excessive.', 'Good enough for occasional use.'],
  [
    'Solid and well made. Delivery was quick.',
    'Very happy with it, minus one star for the colour.',
    'Great value, would recommend to a friend.',
  ],
  ['Exactly what I wanted. Flawless.', 'Best purchase this year, the quality shows.', 'Beautifully made and a joy to use every day.'],
];
